import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'harness',
          include: ['harness/test/**/*.test.ts', 'catalogue/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'emulator',
          include: ['emulator/test/**/*.test.ts'],
        },
      },
    ],
  },
});
