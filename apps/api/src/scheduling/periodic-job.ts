import { DiscoveryService } from '@nestjs/core';
import { Injectable, type Type } from '@nestjs/common';
import type { AppConfig } from '../config/config.js';

/**
 * When a periodic job runs. `every` counts from the scheduler's first run: at
 * once when it is created (`first: 'now'`, the default) or one period later
 * (`first: 'after-period'`). `pattern` is a cron expression, in `tz` if given.
 */
export type Schedule = { every: number; first?: 'now' | 'after-period' } | { pattern: string; tz?: string };

export interface PeriodicJobOptions {
  /** The scheduler's id and its jobs' name, `<domain>.<what>`; unique in the app. */
  name: string;
  /** Read from the config when workers start; a changed period replaces the old one. */
  schedule: (config: AppConfig) => Schedule;
}

/** What a run is for: the time its period began, the same for every attempt of it. */
export interface PeriodicRun {
  period: Date;
}

export interface PeriodicWork {
  run(at: PeriodicRun): Promise<unknown>;
}

export const PERIODIC_JOB = DiscoveryService.createDecorator<PeriodicJobOptions>();

/**
 * Marks a provider as periodic work: where workers run, one BullMQ job
 * scheduler per name creates one job per period, and whichever worker takes
 * it calls `run`. List the provider in its domain's module; nothing else.
 */
export function PeriodicJob(options: PeriodicJobOptions): <T extends Type<PeriodicWork>>(target: T) => void {
  return (target) => {
    Injectable()(target);
    PERIODIC_JOB(options)(target);
  };
}
