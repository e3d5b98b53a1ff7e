import { defineConfig } from 'vite';

// The UI is plain Preact + TypeScript; esbuild compiles the JSX, so no framework plugin is needed.
export default defineConfig({
  clearScreen: false,
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'safari15', // WebKitGTK on Debian 12
    // Fonts stay separate files: the CSP allows no data: fonts.
    assetsInlineLimit: 0,
  },
  server: { fs: { allow: ['..'] } }, // the bundled Thai font lives in ../assets/fonts
});
