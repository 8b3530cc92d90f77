import { en } from 'zod/locales';
import * as z from 'zod/mini';

/**
 * Zod Mini carries no error messages of its own ("Invalid input" for everything); the English ones
 * the classic API uses are configured here, once, by every module that validates with Zod (the
 * request schema, the portal's responses, the environment's synth-time schema). Importing it is
 * enough: `z.config` is global to the process.
 */
z.config(en());
