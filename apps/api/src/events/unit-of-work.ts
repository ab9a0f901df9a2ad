import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel.js';
import { OutboxRelay } from './outbox.relay.js';

/**
 * Where committed changes start their way out: once the work has committed,
 * the relay drains the events it wrote. Every write that produces an event
 * goes through here, so nothing waits for the relay's sweep.
 */
@Injectable()
export class UnitOfWork {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly relay: OutboxRelay,
  ) {}

  /** `work` in one transaction; its events are relayed after the commit. */
  async transaction<T>(work: (m: EntityManager) => Promise<T>, isolation?: IsolationLevel): Promise<T> {
    const result = isolation ? await this.ds.transaction(isolation, work) : await this.ds.transaction(work);
    this.relay.kick();
    return result;
  }

  /** Work that commits by itself (one statement); relayed after it when `wrote` says it wrote something. */
  async commit<T>(work: () => Promise<T>, wrote: (result: T) => boolean = () => true): Promise<T> {
    const result = await work();
    if (wrote(result)) this.relay.kick();
    return result;
  }
}
