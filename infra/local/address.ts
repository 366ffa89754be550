/** Where `npm start` listens (PORT, 3000 unless set), and so where the tools that talk to it look by default. */
export const localPort = (env: NodeJS.ProcessEnv = process.env) => Number(env.PORT ?? 3000);

export const localUrl = (env: NodeJS.ProcessEnv = process.env) => `http://127.0.0.1:${localPort(env)}`;
