import { namespaceRefusal, tenantNamespace } from './namespace-rules';

const tenant = '7b1f0c8e-1234-4abc-9def-0123456789ab';

describe('namespaceRefusal', () => {
  it.each(['kube-system', 'kube-public', 'kube-node-lease', 'default', 'bud-system', 'flux-system', 'kueue-system'])(
    'refuses the system namespace %s',
    (namespace) => expect(namespaceRefusal(namespace, tenant)).toMatch(/system namespace/),
  );

  it("refuses another tenant's default namespace and accepts the tenant's own", () => {
    expect(namespaceRefusal('bud-0123456789ab', tenant)).toBe("is another tenant's namespace");
    expect(tenantNamespace(tenant)).toBe('bud-7b1f0c8e1234');
    expect(namespaceRefusal(tenantNamespace(tenant), tenant)).toBeNull();
  });

  it.each(['uc-7b1f0c8e1234', 'team-a', 'bud-data', 'kubeflow'])('accepts %s', (namespace) => {
    expect(namespaceRefusal(namespace, tenant)).toBeNull();
  });
});
