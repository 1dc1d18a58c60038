// Process-level tests spawn the built services, so every jest run starts from a fresh build.
const { execFileSync } = require('node:child_process');

module.exports = async () => {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: __dirname, stdio: 'inherit' });
};
