import type { TemplateDocument } from '@bud/contracts';

export interface TemplateFilter {
  category?: string;
  tag?: string;
  isSystem?: boolean;
  q?: string;
}

export interface TemplateVersionRecord {
  id: string;
  templateRowId: string;
  version: string;
  revision: number;
  document: TemplateDocument;
  author: string | null;
  change: string;
  createdAt: Date;
}

/** What a write records in `template_versions` beside the row it changes. */
export interface ChangeNote {
  author: string | null;
  change: 'created' | 'forked' | 'updated' | 'synced' | 'reactivated' | 'deactivated';
  at: Date;
}

/** The columns a save may change; the document's own fields are derived from it. */
export interface TemplateChanges {
  document: TemplateDocument;
  contentHash: string;
  sourceFile?: string | null;
  isActive?: boolean;
}
