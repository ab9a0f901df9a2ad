import { handoffConfig } from '@handoff/eslint-config';

export default handoffConfig({ tsconfigRootDir: import.meta.dirname });
