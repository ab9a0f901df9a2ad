import { Get, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { idParams, organizationSettingsView, updateOrganizationSettingsBody, type UpdateOrganizationSettingsBody } from '@handoff/contracts';
import type { AuthUser } from '../common/auth/auth-user.js';
import { CurrentUser, Roles } from '../common/auth/decorators.js';
import { Contract, Input } from '../common/http/contract.js';
import { GuardedController } from '../common/http/global-guards.js';
import { OrganizationSettingsService } from './organization-settings.service.js';

const NOT_YOURS = { 403: 'assistants have no organization settings; only an owner changes the budget', 404: 'not found or not yours' };

@ApiTags('organizations')
@ApiBearerAuth()
@GuardedController('organizations')
export class OrganizationsController {
  constructor(private readonly settings: OrganizationSettingsService) {}

  @Get(':id/settings')
  @Roles('client', 'admin')
  @Contract({ summary: 'Time zone, business hours and holidays (its clients and admins)', params: idParams, response: organizationSettingsView, errors: NOT_YOURS })
  get(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }) {
    return this.settings.get(user, p.id);
  }

  @Patch(':id/settings')
  @Roles('client', 'admin')
  @Contract({
    summary: 'Change the time zone, business hours (per weekday), holidays or the monthly budget (owners and admins only); deadlines of later tasks follow',
    params: idParams,
    body: updateOrganizationSettingsBody,
    response: organizationSettingsView,
    errors: NOT_YOURS,
  })
  update(@CurrentUser() user: AuthUser, @Input('params') p: { id: string }, @Input('body') body: UpdateOrganizationSettingsBody) {
    return this.settings.update(user, p.id, body);
  }
}
