// Setup file of the shifted-clock projects (jest.config.js): every test app made in this test file starts its
// clock at the project's instant. Plain JS: jest loads it before its transform applies to the test.
if (globalThis.HUB_TEST_NOW) process.env.HUB_TEST_NOW = globalThis.HUB_TEST_NOW;
