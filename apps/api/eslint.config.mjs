import { handoffConfig } from '@handoff/eslint-config';
import layers from './eslint.boundaries.mjs';

export default [...handoffConfig({ tsconfigRootDir: import.meta.dirname }), ...layers];
