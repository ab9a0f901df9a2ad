import { Module } from '@nestjs/common';
import { GuardsModule } from '../common/http/guards.module.js';
import { QueuesModule } from '../dispatch/queues.module.js';
import { EventsModule } from '../events/events.module.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { WebhookSecrets } from './webhook-secrets.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksService } from './webhooks.service.js';
import { WebhooksSubscriber } from './webhooks.subscriber.js';

/**
 * In every role: the subscriber that turns events into deliveries, and the
 * dispatcher the workers send with. (The repositories are the database's.)
 */
@Module({
  imports: [EventsModule, QueuesModule],
  providers: [WebhookSecrets, WebhookDispatcher, WebhooksSubscriber],
  exports: [WebhookSecrets, WebhookDispatcher],
})
export class WebhooksModule {}

/** The `/api/webhooks` routes, only in roles that serve HTTP. */
@Module({
  imports: [WebhooksModule, QueuesModule, GuardsModule],
  controllers: [WebhooksController],
  providers: [WebhooksService],
})
export class WebhooksHttpModule {}
