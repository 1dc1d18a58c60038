export * from './principal';
export * from './token-verifier';
export * from './token-signer';
export * from './secret-box';
export * from './service-token';
