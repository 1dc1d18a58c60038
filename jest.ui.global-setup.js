// The browser tests run the built services and the bundled UI: build both first.
const { execFileSync } = require('node:child_process');

module.exports = async () => {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: __dirname, stdio: 'inherit' });
  execFileSync('npm', ['run', '--silent', 'build:ui'], { cwd: __dirname, stdio: 'inherit' });
};
