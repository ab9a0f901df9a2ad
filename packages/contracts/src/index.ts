export * from './domain.js';
export * from './money.js';
export * from './task-machine.js';
export * from './events.js';
export * from './jobs.js';
export * from './schemas/common.js';
export * from './schemas/users.js';
export * from './schemas/tasks.js';
