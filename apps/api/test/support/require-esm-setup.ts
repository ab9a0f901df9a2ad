import * as common from '@nestjs/common';
import * as core from '@nestjs/core';

// What jest.require-esm.cjs hands to CommonJS packages that require Nest.
(globalThis as Record<symbol, unknown>)[Symbol.for('handoff.test.esm')] = { '@nestjs/common': common, '@nestjs/core': core };
