import { lazy, Suspense } from 'react';
import { Layout, Menu, Spin } from 'antd';
import { Link, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { BudgetBanner } from './costs/BudgetBanner';
import { CatalogPage } from './pages/CatalogPage';

// The catalog is the landing page and ships in the first bundle; the rest load when visited.
const TemplateDetailPage = lazy(() => import('./pages/TemplateDetailPage'));
const DeployWizardPage = lazy(() => import('./pages/DeployWizardPage'));
const DeploymentsPage = lazy(() => import('./pages/DeploymentsPage'));
const DeploymentStatusPage = lazy(() => import('./pages/DeploymentStatusPage'));
const ComponentsPage = lazy(() => import('./pages/ComponentsPage'));
const ClustersPage = lazy(() => import('./pages/ClustersPage'));
const TemplateEditPage = lazy(() => import('./pages/TemplateEditPage'));
const CostsPage = lazy(() => import('./pages/CostsPage'));

const sections = [
  { key: '/usecases', label: <Link to="/usecases">Use cases</Link> },
  { key: '/deployments', label: <Link to="/deployments">Deployments</Link> },
  { key: '/components', label: <Link to="/components">Components</Link> },
  { key: '/clusters', label: <Link to="/clusters">Clusters</Link> },
  { key: '/costs', label: <Link to="/costs">Costs</Link> },
];

export function App() {
  const { pathname } = useLocation();
  const selected = sections.find((s) => pathname.startsWith(s.key))?.key ?? '/usecases';
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 24 }}>
        <Link to="/usecases" style={{ color: '#fff', fontWeight: 700, fontSize: 18, whiteSpace: 'nowrap' }}>
          Bud Foundry
        </Link>
        <Menu theme="dark" mode="horizontal" selectedKeys={[selected]} items={sections} style={{ flex: 1, minWidth: 0 }} />
      </Layout.Header>
      <Layout.Content style={{ padding: 24, maxWidth: 1280, width: '100%', margin: '0 auto' }}>
        <BudgetBanner reloadKey={pathname} />
        <Suspense fallback={<Spin tip="Loading…" />}>
          <Routes>
            <Route path="/" element={<Navigate to="/usecases" replace />} />
            <Route path="/usecases" element={<CatalogPage />} />
            <Route path="/usecases/deploy/:id" element={<DeployWizardPage />} />
            <Route path="/usecases/:id/edit" element={<TemplateEditPage />} />
            <Route path="/usecases/:id" element={<TemplateDetailPage />} />
            <Route path="/deployments" element={<DeploymentsPage />} />
            <Route path="/deployments/:id" element={<DeploymentStatusPage />} />
            <Route path="/components" element={<ComponentsPage />} />
            <Route path="/clusters" element={<ClustersPage />} />
            <Route path="/costs" element={<CostsPage />} />
            <Route
              path="*"
              element={
                <p>
                  Nothing here. Go back to the <Link to="/usecases">catalog</Link>.
                </p>
              }
            />
          </Routes>
        </Suspense>
      </Layout.Content>
    </Layout>
  );
}
