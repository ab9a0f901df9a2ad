import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { Organization } from './organization.entity.js';

/** organizations. */
@Injectable()
export class OrganizationsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  byId(id: string, m: EntityManager = this.ds.manager): Promise<Organization | null> {
    return m.findOneBy(Organization, { id });
  }

  create(m: EntityManager, name: string): Promise<Organization> {
    return m.save(m.create(Organization, { name }));
  }
}
