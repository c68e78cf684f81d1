import type { DriftKind } from './drift';
import type { AlertKind } from './reconcile';

/** An episode the platform team is mailed about: a drift, or another alert (domain/reconcile.ts). */
export type Episode =
  | {
      table: 'drifts';
      id: number;
      folderCode: string;
      kind: DriftKind;
      detail: string;
      action: string | null;
      at: Date;
      resolvedAt: Date | null;
    }
  | {
      table: 'alerts';
      id: number;
      kind: AlertKind;
      subject: string;
      detail: string;
      at: Date;
      resolvedAt: Date | null;
    };

/** `id` is stable per episode and event, so a mail sent again after a crash carries the same Message-ID. */
export interface AlertMail {
  id: string;
  subject: string;
  text: string;
}

const words = (kind: string) => kind.replace(/_/g, ' ');
const what = (e: Episode) =>
  e.table === 'drifts' ? `drift on ${e.folderCode}: ${words(e.kind)}` : `${words(e.kind)}: ${e.subject}`;

/** What the reader does next: for a drift nothing was done about, decide and repair; for the rest, nothing said. */
function next(e: Episode): string {
  if (e.table !== 'drifts') return '';
  if (e.action?.startsWith('closed_'))
    return ' The side the record does not name was closed; nothing more to do unless it happens again.';
  return ` Nothing was changed: decide which side is right (ecp-cutover folder ${e.folderCode}), then 'ecp-cutover folder repair ${e.folderCode} --to legacy|live --reason ...' (a second operator approves).`;
}

/** The mail when an episode opens; one that opened and closed within one pass ("open on both") is this one mail. */
export function openingMail(e: Episode): AlertMail {
  const closed = e.resolvedAt !== null;
  return {
    id: `${e.table}-${e.id}-opened`,
    subject: `[ECP cutover] ${what(e)}${closed ? ' (closed at once)' : ''}`,
    text: `${e.detail}\n\nSeen ${e.at.toISOString()} by the reconciler.${next(e)}\n`,
  };
}

/** The mail when an episode that was mailed clears. */
export function resolutionMail(e: Episode): AlertMail {
  return {
    id: `${e.table}-${e.id}-resolved`,
    subject: `[ECP cutover] resolved: ${what(e)}`,
    text: `No longer seen at ${e.resolvedAt!.toISOString()}: ${e.detail}\n`,
  };
}
