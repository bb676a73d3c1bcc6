import {
  applyDecorators,
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  UseGuards,
} from '@nestjs/common';
import { ApiForbiddenResponse } from '@nestjs/swagger';
import { CLOCK, type Clock } from '@tollgate/platform';
import { ProblemException } from '@tollgate/platform/http';
import type { Principal } from '@tollgate/verifier';

/**
 * How recent a sign-in changes of sign-in factors want: 10 minutes, GitHub's "sudo mode" window.
 * A stolen session cookie alone then cannot add a passkey or turn off a second factor.
 */
export const RECENT_SIGN_IN_SECONDS = 600;

@Injectable()
export class RecentSignInGuard implements CanActivate {
  constructor(@Inject(CLOCK) private readonly clock: Clock) {}

  canActivate(context: ExecutionContext): boolean {
    const principal = context.switchToHttp().getRequest<{ user?: Principal }>().user;
    const at = principal?.authenticatedAt?.getTime();
    if (at !== undefined && this.clock.now().getTime() - at <= RECENT_SIGN_IN_SECONDS * 1000) return true;
    throw new ProblemException(
      403,
      `This change needs a recent sign-in: confirm it is you (POST /api/session/reauthenticate with your password or a passkey), then try again within ${RECENT_SIGN_IN_SECONDS / 60} minutes`,
      { code: 'reauthentication_required', extensions: { max_age: RECENT_SIGN_IN_SECONDS } },
    );
  }
}

/** The route changes how the person signs in: their last sign-in (or re-authentication) must be recent. */
export const RequireRecentSignIn = () =>
  applyDecorators(
    UseGuards(RecentSignInGuard),
    ApiForbiddenResponse({
      description: `Not a console session (session_required), or its sign-in is older than ${RECENT_SIGN_IN_SECONDS / 60} minutes (reauthentication_required: re-authenticate at POST /api/session/reauthenticate)`,
    }),
  );
