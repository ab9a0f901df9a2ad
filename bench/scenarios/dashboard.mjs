export const name = 'dashboard';
export async function run() { return []; }
