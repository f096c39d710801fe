import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';

const cloudDir = fileURLToPath(new URL('../../src/cloud/', import.meta.url));

/** Every module specifier a file imports or re-exports, static or dynamic, read with TypeScript's parser. */
function specifiers(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    }
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteralLike(node.arguments[0])) {
      found.push(node.arguments[0].text);
    }
    if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Anything outside src/cloud that is part of this package: the browser engine, the server, React, the root index. */
const FORBIDDEN = /^\.\.\/(core|server|react|index)(\/|\.|$)|^\.\.\/\.\.\//;

describe('the local cloud is an independent oracle', () => {
  const files = readdirSync(cloudDir).filter((name) => name.endsWith('.ts'));

  test('src/cloud has modules to check', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  test.each(files)('%s imports nothing from src/core, src/server, src/react or src/index', (name) => {
    const imports = specifiers(join(cloudDir, name));
    expect(imports.filter((specifier) => FORBIDDEN.test(specifier))).toEqual([]);
    // Only its own modules, Node's, and third-party packages.
    for (const specifier of imports) expect(specifier.startsWith('./') || !specifier.startsWith('.')).toBe(true);
  });

  test('the parser finds every kind of import (the check itself can fail)', () => {
    const probe = join(cloudDir, '..', '..', 'test', 'cloud', 'fixtures', 'imports-probe.ts.txt');
    const found = specifiers(probe);
    expect(found).toEqual(['../core/jwt.js', '../server/token.js', '../react/index.js', '../index.js']);
    expect(found.every((specifier) => FORBIDDEN.test(specifier))).toBe(true);
  });
});
