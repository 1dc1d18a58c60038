import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A job's `secret_env`, sealed with SECRETS_KEY; the spec keeps only the masked keys. */
export class JobSecretEnv1764900000001 implements MigrationInterface {
  name = 'JobSecretEnv1764900000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE jobs ADD COLUMN secret_env_sealed text`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE jobs DROP COLUMN secret_env_sealed`);
  }
}
