import type { Actor } from '../../shared/ledger/principal';

/** The principal the tests' applications belong to (a role, as an assumed-role session is). */
export const OWNER: Actor = { principal: 'arn:aws:iam::222222222222:role/orders-team', admin: false };
/** Another team's role in another member account. */
export const STRANGER: Actor = { principal: 'arn:aws:iam::444444444444:role/payments-team', admin: false };
/** A platform administrator (in `APPVEND_PLATFORM_ADMINS`). */
export const ADMIN: Actor = { principal: 'arn:aws:iam::111111111111:role/platform-admin', admin: true };
