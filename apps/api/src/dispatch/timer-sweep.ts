// The relay's import path for the timer jobs it queues; they are defined with the timers.
export { timerJob, type DueTimer, type TimerKind } from '../timers/timer-sweep.js';
