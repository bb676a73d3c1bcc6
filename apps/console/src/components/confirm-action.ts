// Destructive and state-changing actions on a listed item: ask first, act inside the dialog, redraw
// the list keeping the keyboard user's place, then say what happened.
import { confirmDialog, type ConfirmDialogOptions } from '../dialog.js';
import { announce, announceError, type FocusFallback, redrawKeepingFocus } from '../ui.js';

/** The dialog (its `message` says what happens and whether it can be undone), then what follows. */
export interface ConfirmActionOptions<T> extends ConfirmDialogOptions<T> {
  /** Draws the list again once the action is done. */
  refresh: () => unknown;
  /** Where the focus goes if the redraw removed the focused element (usually the list's heading). */
  focusFallback: FocusFallback;
  /** Announced after the redraw ("The key “x” is revoked."). */
  announcement: string | ((result: T) => string);
}

/** Asks, acts, redraws and announces; resolves true when it was confirmed and done. */
export async function confirmAction<T>({
  refresh,
  focusFallback,
  announcement,
  ...dialog
}: ConfirmActionOptions<T>): Promise<boolean> {
  const result = await confirmDialog(dialog);
  if (!result) return false;
  await redrawKeepingFocus(refresh, focusFallback);
  announce(typeof announcement === 'function' ? announcement(result.value) : announcement);
  return true;
}

export interface DisableToggleOptions {
  /** Whether the item is disabled now: the toggle does the opposite. */
  disabled: boolean;
  /** Disabling asks first (it cuts access at once); enabling does not. */
  confirm: Pick<ConfirmDialogOptions<unknown>, 'title' | 'message' | 'content' | 'confirmLabel'>;
  /** Sends the new state. */
  update: (disabled: boolean) => Promise<unknown>;
  refresh: () => unknown;
  focusFallback: FocusFallback;
  /** Announced after the redraw, given whether the item was disabled. */
  announcement: (disabling: boolean) => string;
}

/** Enable or disable an item (a user, an application, an API consumer). */
export async function toggleDisabled({
  disabled,
  confirm,
  update,
  refresh,
  focusFallback,
  announcement,
}: DisableToggleOptions): Promise<void> {
  const disabling = !disabled;
  if (disabling) {
    const result = await confirmDialog({ ...confirm, action: () => update(true) });
    if (!result) return;
  } else {
    try {
      await update(false);
    } catch (error) {
      return announceError(error);
    }
  }
  await redrawKeepingFocus(refresh, focusFallback);
  announce(announcement(disabling));
}
