// @ts-check
/**
 * Installers for the desktop app (electron-builder): AppImage + deb, NSIS, DMG.
 *   npm run dist   (builds with electron-vite first; needs the Electron binary, so not here)
 *
 * onnxruntime-node's native binaries and the models are unpacked from the asar archive (a native
 * library cannot be loaded from inside it, and the engine reads models as plain files); each
 * target ships only its own platform's ONNX Runtime binaries.
 */

const ORT_BINARIES = 'node_modules/onnxruntime-node/bin/napi-v6';

/** @param {string[]} platforms */
const withoutOrtFor = (platforms) => platforms.map((platform) => `!${ORT_BINARIES}/${platform}/**`);

/** @type {import('electron-builder').Configuration} */
const config = {
  appId: 'app.hark.desktop',
  productName: 'Hark',
  copyright: 'Copyright © Hark contributors',
  directories: { output: 'release', buildResources: 'build' },
  files: [
    'out/**/*',
    'package.json',
    'models/**/*',
    '!**/*.map',
    '!**/node_modules/onnxruntime-node/script/**',
    '!**/node_modules/onnxruntime-node/lib/**/*.ts',
  ],
  asar: true,
  asarUnpack: ['node_modules/onnxruntime-node/**', 'models/**'],
  fileAssociations: [{ ext: ['wav', 'wave'], name: 'WAV audio', role: 'Viewer' }],
  linux: {
    target: ['AppImage', 'deb'],
    category: 'AudioVideo',
    mimeTypes: ['audio/wav', 'audio/x-wav'],
    files: withoutOrtFor(['darwin', 'win32']),
  },
  deb: { priority: 'optional' },
  win: {
    target: ['nsis'],
    files: withoutOrtFor(['darwin', 'linux']),
  },
  nsis: {
    oneClick: false,
    perMachine: false,
    allowToChangeInstallationDirectory: true,
    createDesktopShortcut: true,
  },
  mac: {
    target: ['dmg'],
    category: 'public.app-category.productivity',
    hardenedRuntime: true,
    files: withoutOrtFor(['linux', 'win32']),
    extendInfo: {
      NSMicrophoneUsageDescription:
        'Hark records your voice to learn it (voice profiles). The recordings stay on this Mac.',
    },
  },
  dmg: { sign: false },
};

module.exports = config;
