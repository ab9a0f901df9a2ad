import { serializeCookie } from '../http/cookies.js';

/** Where the admins' queue browser is mounted. */
export const JOBS_BOARD_PATH = '/api/admin/jobs';
/**
 * A browser opens the board by a plain link, which carries no bearer token: an admin's sign-in and
 * each refresh also put the access token in this cookie, which only travels to the board.
 */
export const JOBS_BOARD_COOKIE = 'handoff_jobs';

export function jobsBoardCookie(accessToken: string, maxAgeSeconds: number, secure: boolean): string {
  return serializeCookie(JOBS_BOARD_COOKIE, accessToken, { path: JOBS_BOARD_PATH, maxAgeSeconds, secure });
}
