import { RateCard } from '../rate-card/rate-card.entity.js';
import { TemplateVersion } from '../templates/template-version.entity.js';
import { Template } from '../templates/template.entity.js';
import { Organization } from '../users/organization.entity.js';
import { User } from '../users/user.entity.js';

export const ENTITIES = [Organization, User, RateCard, Template, TemplateVersion];
