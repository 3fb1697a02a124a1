// The /dvol API of `dvol du`: GET /dvol/volumes/:vol/du. Types only.

import type { DuEntry, DuReport } from '../storage/model.js';

export type { DuEntry, DuReport };

/** GET /dvol/volumes/:vol/du. */
export interface DuAnswer {
  du: DuReport;
}
