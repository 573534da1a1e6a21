// graphql-codegen's client preset: typed documents for the React app from
// the published schema and the screens' operation documents. `npm run
// check` generates them into src/gql/ and type-checks src/example.ts; CI
// runs it, so a schema change that breaks a screen fails there.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../../schema.graphqls',
  documents: ['../../operations/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    './src/gql/': {
      preset: 'client',
      config: {
        // The API's own scalars, as they travel in JSON.
        scalars: {
          DateTime: 'string', // RFC 3339 instant
          Date: 'string', // YYYY-MM-DD
          Cursor: 'string', // opaque
        },
        enumsAsTypes: true,
        useTypeImports: true,
        strictScalars: true,
      },
      presetConfig: { fragmentMasking: false },
    },
  },
};

export default config;
