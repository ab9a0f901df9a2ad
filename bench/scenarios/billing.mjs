export const name = 'billing';
export async function run() { return []; }
