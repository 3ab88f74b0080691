/** One check of an operations list before its migration's first step: its reasons not to start, none to go ahead. */
import type { Knex } from 'knex';
import type { Operation } from '../index';

export type StartCheck = (operations: readonly Operation[]) => (knex: Knex) => Promise<string[]>;
