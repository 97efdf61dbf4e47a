/**
 * The repository's root folder. Rationale: this file sits two levels down (`server/src/`), as does the
 * compiled server (`server/dist/`), so one path works for both; files deeper down must not count levels.
 */
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
