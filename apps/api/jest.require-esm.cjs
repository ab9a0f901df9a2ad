// Jest on Node 20 cannot require() an ES module (Node itself can), and @nestjs/throttler is CommonJS
// that requires Nest's ES modules. This transform hands such a require the module that
// test/support/require-esm-setup.ts imported into the same test file's registry, so both sides share one instance.
const ESM_ONLY = ['@nestjs/common', '@nestjs/core'];
const pattern = new RegExp(`require\\("(${ESM_ONLY.join('|')})"\\)`, 'g');

module.exports = {
  process(source) {
    return { code: source.replace(pattern, (_, name) => `globalThis[Symbol.for('handoff.test.esm')][${JSON.stringify(name)}]`) };
  },
};
