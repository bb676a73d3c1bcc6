import { type CanActivate, type ExecutionContext, Injectable, UseGuards } from '@nestjs/common';
import { ProblemException } from '@tollgate/platform';
import type { Principal } from '@tollgate/verifier';

/**
 * Routes a person uses from the console only (account settings). A PAT or an access token is
 * refused, so a leaked token can neither mint new tokens nor outlive its own revocation.
 */
@Injectable()
export class SessionOnlyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const principal = context.switchToHttp().getRequest<{ user?: Principal }>().user;
    if (principal?.credentialType !== 'session') {
      throw new ProblemException(403, 'This route needs a signed-in console session (POST /api/session); personal access tokens, access tokens and API keys cannot use it', { code: 'session_required' });
    }
    return true;
  }
}

export const SessionOnly = () => UseGuards(SessionOnlyGuard);
