import { ODataFilterError, tokenize, type Token } from './odataTokens.js';
import { parseIsoTicks } from './time.js';

export { ODataFilterError } from './odataTokens.js';

/**
 * A small OData v4 `$filter` compiler for the properties each endpoint
 * documents as filterable. Supports `eq ne gt ge lt le`, `in (…)`, `and`,
 * `or`, `not`, parentheses, `startswith/endswith/contains(prop,'x')` and
 * `prop/any(t: t eq 'x')`. Literals: 'strings' ('' escapes), numbers,
 * true/false/null and bare ISO dates (`2018-08-01Z`,
 * `2021-02-04T15:36:52.7788848Z`). Property names and string values compare
 * case-insensitively (simulator choice). Anything else → ODataFilterError.
 *
 * Strict (README choice 29): only what mde-api.md documents — `eq`, `ne`,
 * `gt ge lt le` on date-time properties, `and`, parentheses,
 * `startswith(prop,'x')` and `machineTags/any(t: t eq 'x')` — and property
 * names as documented (lower camel case, or with the first letter upper
 * case as Microsoft's OData samples spell them).
 */
export type PropertyKind = 'string' | 'datetime' | 'number' | 'boolean' | 'stringArray';
export type FilterSchema = Readonly<Record<string, PropertyKind>>;
export type Entity = Readonly<Record<string, unknown>>;
export type Predicate = (entity: Entity) => boolean;

type Literal =
  | { readonly kind: 'string'; readonly v: string }
  | { readonly kind: 'number'; readonly v: number }
  | { readonly kind: 'date'; readonly v: bigint }
  | { readonly kind: 'boolean'; readonly v: boolean }
  | { readonly kind: 'null' };

const OPS = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'] as const;
type Op = (typeof OPS)[number];
const isOp = (v: string): v is Op => (OPS as readonly string[]).includes(v);
const FUNCTIONS = ['startswith', 'endswith', 'contains'] as const;
/** The filter vocabulary mde-api.md documents (1.3, 3.3, 6.1, 8 item 18). */
const DOCUMENTED = 'eq, ne, gt/ge/lt/le on date-time properties, and, startswith(), machineTags/any()';
const undocumented = (what: string): ODataFilterError =>
  new ODataFilterError(`Invalid filter: ${what} is not supported by $filter here. Supported: ${DOCUMENTED}.`);
/** The documented spelling, or the same with its first letter upper case (as in the OData samples page). */
const documentedSpelling = (documented: string, given: string): boolean =>
  given === documented || given === documented.charAt(0).toUpperCase() + documented.slice(1);

const lower = (v: string): string => v.toLowerCase();
const cmp = (a: number | bigint | string, b: number | bigint | string): number => (a < b ? -1 : a > b ? 1 : 0);

function applyOp(op: Op, order: number): boolean {
  switch (op) {
    case 'eq':
      return order === 0;
    case 'ne':
      return order !== 0;
    case 'gt':
      return order > 0;
    case 'ge':
      return order >= 0;
    case 'lt':
      return order < 0;
    case 'le':
      return order <= 0;
  }
}

/** Compares one property value with a literal according to the property's kind. */
function comparer(name: string, kind: PropertyKind, op: Op, lit: Literal): (value: unknown) => boolean {
  if (lit.kind === 'null') {
    if (op !== 'eq' && op !== 'ne') throw new ODataFilterError(`Operator '${op}' cannot compare '${name}' with null.`);
    return (value) => (value === null || value === undefined) === (op === 'eq');
  }
  const nullable = (f: (v: unknown) => boolean) => (value: unknown) => (value === null || value === undefined ? op === 'ne' : f(value));
  switch (kind) {
    case 'string':
      if (lit.kind !== 'string') throw new ODataFilterError(`Property '${name}' is a string; compare it with a quoted literal.`);
      return nullable((v) => applyOp(op, cmp(lower(String(v)), lower(lit.v))));
    case 'number':
      if (lit.kind !== 'number') throw new ODataFilterError(`Property '${name}' is a number; compare it with a number literal.`);
      return nullable((v) => applyOp(op, cmp(Number(v), lit.v)));
    case 'boolean':
      if (lit.kind !== 'boolean') throw new ODataFilterError(`Property '${name}' is a boolean; compare it with true or false.`);
      return nullable((v) => applyOp(op, cmp(Number(v === true), Number(lit.v))));
    case 'datetime': {
      const ticks = lit.kind === 'date' ? lit.v : lit.kind === 'string' ? parseIsoTicks(lit.v) : undefined;
      if (ticks === undefined)
        throw new ODataFilterError(`Property '${name}' is a date-time; compare it with an ISO-8601 literal such as 2021-02-04T15:36:52Z.`);
      return nullable((v) => {
        const own = parseIsoTicks(String(v));
        return own !== undefined && applyOp(op, cmp(own, ticks));
      });
    }
    case 'stringArray':
      throw new ODataFilterError(`Property '${name}' is a collection; use ${name}/any(t: t eq '…').`);
  }
}

class Parser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly schema: FilterSchema,
    private readonly strict: boolean,
  ) {}

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }
  private next(): Token {
    const token = this.tokens[this.pos++];
    if (!token) throw new ODataFilterError('Unexpected end of $filter expression.');
    return token;
  }
  private isWord(word: string): boolean {
    const t = this.peek();
    return t?.t === 'id' && lower(t.v) === word;
  }
  private expect(punct: string): void {
    const t = this.next();
    if (t.t !== 'punct' || t.v !== punct) throw new ODataFilterError(`Expected '${punct}' in $filter expression.`);
  }

  parse(): Predicate {
    const predicate = this.or();
    if (this.peek()) throw new ODataFilterError(`Unexpected token after the end of the $filter expression (token ${this.pos + 1}).`);
    return predicate;
  }

  private or(): Predicate {
    let left = this.and();
    while (this.isWord('or')) {
      if (this.strict) throw undocumented("operator 'or'");
      this.pos++;
      const l = left,
        r = this.and();
      left = (e) => l(e) || r(e);
    }
    return left;
  }

  private and(): Predicate {
    let left = this.unary();
    while (this.isWord('and')) {
      this.pos++;
      const l = left,
        r = this.unary();
      left = (e) => l(e) && r(e);
    }
    return left;
  }

  private unary(): Predicate {
    if (this.isWord('not')) {
      if (this.strict) throw undocumented("operator 'not'");
      this.pos++;
      const inner = this.unary();
      return (e) => !inner(e);
    }
    const t = this.peek();
    if (t?.t === 'punct' && t.v === '(') {
      this.pos++;
      const inner = this.or();
      this.expect(')');
      return inner;
    }
    return this.primary();
  }

  private property(name: string): { name: string; kind: PropertyKind } {
    const found = Object.entries(this.schema).find(([k]) => (this.strict ? documentedSpelling(k, name) : lower(k) === lower(name)));
    if (!found) {
      const casing = this.strict ? Object.keys(this.schema).find((k) => lower(k) === lower(name)) : undefined;
      if (casing)
        throw new ODataFilterError(
          `Invalid filter: property '${name}' is not spelt as documented: use '${casing}' (names are case-sensitive).`,
        );
      throw new ODataFilterError(
        `Invalid filter: property '${name}' is not supported by $filter here. Supported properties: ${Object.keys(this.schema).join(', ')}.`,
      );
    }
    return { name: found[0], kind: found[1] };
  }

  private literal(): Literal {
    const t = this.next();
    if (t.t === 'str') return { kind: 'string', v: t.v };
    if (t.t === 'num') return { kind: 'number', v: t.v };
    if (t.t === 'date') return { kind: 'date', v: t.v };
    if (t.t === 'id' && ['true', 'false'].includes(lower(t.v))) return { kind: 'boolean', v: lower(t.v) === 'true' };
    if (t.t === 'id' && lower(t.v) === 'null') return { kind: 'null' };
    throw new ODataFilterError(`Expected a literal value in $filter, found '${t.t === 'punct' ? t.v : String(t.v)}'.`);
  }

  private op(prop?: { name: string; kind: PropertyKind }): Op {
    const t = this.next();
    if (t.t === 'id' && isOp(lower(t.v))) {
      const op = lower(t.v) as Op;
      if (this.strict && prop && prop.kind !== 'datetime' && op !== 'eq' && op !== 'ne')
        throw undocumented(`operator '${op}' on '${prop.name}' (not a date-time property)`);
      return op;
    }
    throw new ODataFilterError(`Expected a comparison operator (${OPS.join(', ')}) in $filter.`);
  }

  private primary(): Predicate {
    const t = this.next();
    if (t.t !== 'id') throw new ODataFilterError('Expected a property name or function in $filter.');
    const fn = FUNCTIONS.find((f) => f === lower(t.v));
    const after = this.peek();
    if (fn && after?.t === 'punct' && after.v === '(') {
      if (this.strict && fn !== 'startswith') throw undocumented(`function '${fn}'`);
      return this.func(fn);
    }
    const prop = this.property(t.v);
    if (after?.t === 'punct' && after.v === '/') return this.any(prop);
    if (this.isWord('in')) {
      if (this.strict) throw undocumented("operator 'in'");
      this.pos++;
      this.expect('(');
      const tests: ((v: unknown) => boolean)[] = [comparer(prop.name, prop.kind, 'eq', this.literal())];
      while (this.peek()?.t === 'punct' && this.peek()?.v === ',') {
        this.pos++;
        tests.push(comparer(prop.name, prop.kind, 'eq', this.literal()));
      }
      this.expect(')');
      return (e) => tests.some((test) => test(e[prop.name]));
    }
    const test = comparer(prop.name, prop.kind, this.op(prop), this.literal());
    return (e) => test(e[prop.name]);
  }

  private func(fn: (typeof FUNCTIONS)[number]): Predicate {
    this.expect('(');
    const name = this.next();
    if (name.t !== 'id') throw new ODataFilterError(`${fn}() expects a property name first.`);
    const prop = this.property(name.v);
    if (prop.kind !== 'string') throw new ODataFilterError(`${fn}() applies to string properties; '${prop.name}' is not one.`);
    this.expect(',');
    const lit = this.literal();
    if (lit.kind !== 'string') throw new ODataFilterError(`${fn}() expects a quoted string.`);
    this.expect(')');
    const needle = lower(lit.v);
    const test = (v: string): boolean =>
      fn === 'startswith' ? v.startsWith(needle) : fn === 'endswith' ? v.endsWith(needle) : v.includes(needle);
    return (e) => typeof e[prop.name] === 'string' && test(lower(e[prop.name] as string));
  }

  private any(prop: { name: string; kind: PropertyKind }): Predicate {
    if (prop.kind !== 'stringArray') throw new ODataFilterError(`'${prop.name}' is not a collection; any() does not apply.`);
    this.expect('/');
    const word = this.next();
    if (word.t !== 'id' || lower(word.v) !== 'any') throw new ODataFilterError(`Only ${prop.name}/any(...) is supported.`);
    this.expect('(');
    const variable = this.next();
    if (variable.t !== 'id') throw new ODataFilterError("any() expects a range variable, as in any(t: t eq 'x').");
    this.expect(':');
    const ref = this.next();
    if (ref.t !== 'id' || ref.v !== variable.v)
      throw new ODataFilterError(`any() body must start with the range variable '${variable.v}'.`);
    const op = this.op();
    if (this.strict && op !== 'eq') throw undocumented(`operator '${op}' inside any()`);
    const test = comparer(prop.name, 'string', op, this.literal());
    this.expect(')');
    return (e) => {
      const values = e[prop.name];
      return Array.isArray(values) && values.some((v) => test(v));
    };
  }
}

/** Compiles `$filter` text against the filterable properties of an endpoint (`strict`: the documented subset only). Throws ODataFilterError. */
export function compileFilter(text: string, schema: FilterSchema, strict = false): Predicate {
  const tokens = tokenize(text);
  if (tokens.length === 0) throw new ODataFilterError('The $filter expression is empty.');
  return new Parser(tokens, schema, strict).parse();
}
