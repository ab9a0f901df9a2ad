import { EventBus, type EventSubscriber } from './event-bus.js';

const subscriber = (name: string, events: EventSubscriber['events']): EventSubscriber => ({ name, events, handle: async () => undefined });

describe('EventBus', () => {
  it('lists the events of the map nobody hears yet', () => {
    const sut = new EventBus();
    sut.subscribe(subscriber('timers', ['task.submitted', 'task.transitioned']));
    expect(sut.unheard()).toEqual(['task.checklist_ticked', 'ledger.recorded', 'message.posted', 'message.changed', 'rating.recorded', 'budget.threshold_crossed', 'import.progressed', 'schedule.paused', 'dispute.opened', 'dispute.answered', 'dispute.resolved', 'webhook.disabled']);
    sut.subscribe(subscriber('live', ['task.checklist_ticked', 'ledger.recorded']));
    sut.subscribe(subscriber('conversations.live', ['message.posted', 'message.changed']));
    sut.subscribe(subscriber('rating-live', ['rating.recorded']));
    sut.subscribe(subscriber('budget-notice-live', ['budget.threshold_crossed']));
    sut.subscribe(subscriber('imports-live', ['import.progressed']));
    sut.subscribe(subscriber('schedule-paused', ['schedule.paused']));
    sut.subscribe(subscriber('inbox', ['webhook.disabled']));
    sut.subscribe(subscriber('dispute-live', ['dispute.opened', 'dispute.answered', 'dispute.resolved']));
    expect(sut.unheard()).toEqual([]);
  });

  it('refuses two subscribers of one name, whose delivery marks would mix', () => {
    const sut = new EventBus();
    sut.subscribe(subscriber('live', ['ledger.recorded']));
    expect(() => sut.subscribe(subscriber('live', ['task.submitted']))).toThrow('two event subscribers are named live');
  });
});
