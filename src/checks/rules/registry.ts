/** Every rule `check` applies: a new rule is a file in this folder and one line here. */
import type { Rule } from '../finding';
import { breakingChange } from './breaking-change';
import { constraintValidation } from './constraint-validation';
import { everyRowUpdate } from './every-row-update';
import { indexBuild } from './index-build';
import { notNullScan } from './not-null-scan';
import { tableRewrite } from './table-rewrite';

export const RULES: readonly Rule[] = [
  tableRewrite,
  indexBuild,
  constraintValidation,
  notNullScan,
  everyRowUpdate,
  breakingChange,
];
