/**
 * The shapes of Organizations ids, as the SDK model describes them ("Account - A string that
 * consists of exactly 12 digits"; an OU id begins with "ou-" followed by 4 to 32 lowercase letters
 * or digits, a dash, and 8 to 32 more): one definition for the request's `adopt`, the settings and
 * the ids an earlier vend recorded.
 */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
export const OU_ID_PATTERN = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
