import { Inject, Injectable, Optional, SetMetadata, createParamDecorator } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ServiceTokens, TokenVerifier, bearerToken, servicePrincipal } from '@bud/auth';
import type { Principal, ServiceName } from '@bud/auth';
import type { Scope } from '@bud/contracts';
import { AppError } from '@bud/errors';

const PUBLIC_ROUTE = 'bud:public';
/** Health, metrics and docs answer without a token. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

type AuthenticatedRequest = Request & { principal?: Principal };

/**
 * Which platform services may call this one with a service token, and with which scopes; a module
 * that provides none accepts user tokens only. `audience` is this service.
 */
export interface ServiceCallers {
  audience: ServiceName;
  accept: Partial<Record<ServiceName, readonly Scope[]>>;
}
export const SERVICE_CALLERS = Symbol('SERVICE_CALLERS');

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly reflector: Reflector,
    @Optional() @Inject(ServiceTokens) private readonly serviceTokens?: ServiceTokens,
    @Optional() @Inject(SERVICE_CALLERS) private readonly serviceCallers?: ServiceCallers,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    request.principal =
      (await this.servicePrincipal(request.headers.authorization)) ?? (await this.verifier.verify(request.headers.authorization));
    return true;
  }

  /** Checked before user tokens, so even in dev auth (where any caller is the dev user) only a real service token makes a service. */
  private async servicePrincipal(authorization: string | undefined): Promise<Principal | null> {
    const token = bearerToken(authorization);
    if (!token || !this.serviceTokens || !this.serviceCallers) return null;
    const identity = await this.serviceTokens.tryVerify(token, this.serviceCallers.audience);
    if (!identity) return null;
    const scopes = this.serviceCallers.accept[identity.service];
    if (!scopes) throw new AppError('forbidden', `the service '${identity.service}' may not call this service`);
    if (!identity.tenantId) throw new AppError('unauthenticated', 'the service token names no tenant');
    return servicePrincipal({ service: identity.service, tenantId: identity.tenantId }, scopes, token);
  }
}

export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a public route');
  return principal;
});
