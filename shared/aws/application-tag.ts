import { NAME_PREFIX } from '../domain/naming';

/**
 * The tag appvend puts on everything it makes for an application (OU, SCP, accounts it created,
 * stack sets). Offboarding removes only what carries it with the application's name: a resource
 * that merely has the expected name may be someone else's.
 */
export const APPLICATION_TAG = `${NAME_PREFIX}:application`;

/** Whether AWS's tag list marks the resource as made by appvend for `application`. */
export function taggedFor(
  tags: readonly { Key?: string; Value?: string }[] | undefined,
  application: string,
): boolean {
  return (tags ?? []).some((tag) => tag.Key === APPLICATION_TAG && tag.Value === application);
}

/** Why a resource was left alone: it lacks the application's tag. */
export const notTaggedReason = (application: string): string =>
  `not tagged ${APPLICATION_TAG}=${application}: not made by appvend for this application, left alone`;
