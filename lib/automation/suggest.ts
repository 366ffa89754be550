import type { Alert } from '../alerts/model.js';
import type { RelatedKnowledge } from '../alerts/repository.js';
import type { RunbookAction } from '../kb/markdown.js';
import { validateRequest, type ActionName } from './actions.js';
import { actionTitles } from './cards.js';
import { templateArgs } from './heal-rules.js';

/**
 * The action a runbook suggests for an alert: the first of its front matter's `actions` that is in the registry and
 * whose arguments, filled in from the alert, pass its schema. One that does not is not offered: a card never shows a
 * button that the gate would refuse for its shape. Who may run it, where, and with whose approval is decided when
 * someone presses 执行, as for anything asked in chat.
 */
export function suggestedAction(actions: RunbookAction[] | undefined, alert: Alert): RelatedKnowledge['suggested'] {
  for (const declared of actions ?? []) {
    const valid = validateRequest(declared.action, templateArgs(declared.args, alert));
    if (valid.ok)
      return {
        action: valid.action.name,
        args: valid.args,
        title: actionTitles[valid.action.name as ActionName] ?? valid.action.name,
      };
  }
  return undefined;
}
