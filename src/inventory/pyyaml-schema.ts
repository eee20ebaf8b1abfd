import {
  isMap,
  isScalar,
  isSeq,
  YAMLMap,
  YAMLSeq,
  type CollectionTag,
  type Pair,
  type ScalarTag,
  type Tags,
} from 'yaml';
import { IMPLICIT_TIMESTAMP, pyTimestamp } from './pyyaml-timestamp.js';
import { PyFloat, Unsafe } from './yaml-values.js';

/** PyYAML's implicit resolvers (resolver.py), which differ from the yaml package's 1.1 schema: `y`, `1e3`, `0:30`, `.` stay strings. */
const NULL = /^(?:~|null|Null|NULL|)$/;
const TRUE = /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const FALSE = /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/;
const FLOAT =
  /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const INT =
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;

const sexagesimal = (v: string) => v.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);

/** construct_yaml_int */
function pyInt(text: string): number {
  const raw = text.replace(/_/g, '');
  const sign = raw.startsWith('-') ? -1 : 1;
  const v = raw.replace(/^[-+]/, '');
  if (v.startsWith('0b')) return sign * parseInt(v.slice(2), 2);
  if (v.startsWith('0x')) return sign * parseInt(v.slice(2), 16);
  if (v.length > 1 && v.startsWith('0')) return sign * parseInt(v, 8);
  return sign * (v.includes(':') ? sexagesimal(v) : Number(v));
}

/** construct_yaml_float */
function pyFloat(text: string): PyFloat {
  const raw = text.replace(/_/g, '').toLowerCase();
  const sign = raw.startsWith('-') ? -1 : 1;
  const v = raw.replace(/^[-+]/, '');
  if (v === '.inf') return new PyFloat(sign * Infinity);
  if (v === '.nan') return new PyFloat(NaN);
  return new PyFloat(sign * (v.includes(':') ? sexagesimal(v) : Number(v)));
}

const scalar = (tag: string, test: RegExp, resolve: (s: string) => unknown, identify: (v: unknown) => boolean) =>
  ({ tag: `tag:yaml.org,2002:${tag}`, default: true, test, resolve, identify }) as ScalarTag;

const REPLACED = ['null', 'bool', 'int', 'float', 'timestamp', 'binary'].map((t) => `tag:yaml.org,2002:${t}`);

/** Ansible's `!unsafe` on a mapping or sequence wraps the strings in it; it loses nested collections (2.14), so runner refuses them. */
function unsafeCollection(collection: 'map' | 'seq'): CollectionTag {
  const value = (node: unknown, onError: (m: string) => void): unknown => {
    if (isScalar(node)) return typeof node.value === 'string' ? new Unsafe(node.value) : node.value;
    onError(
      isMap(node) || isSeq(node)
        ? '!unsafe on a collection that holds collections: Ansible 2.14 prints those empty; put !unsafe on the strings instead'
        : '!unsafe on a collection: only plain values inside are supported',
    );
    return null;
  };
  return {
    tag: '!unsafe',
    collection,
    nodeClass: collection === 'map' ? YAMLMap : YAMLSeq,
    resolve(node, onError) {
      if (isSeq(node)) return node.items.map((v) => value(v, onError));
      const pairs = isMap(node) ? (node.items as Pair[]) : [];
      return Object.fromEntries(
        pairs.map((p) => [String(isScalar(p.key) ? p.key.value : p.key), value(p.value, onError)]),
      );
    },
  } as CollectionTag;
}

/** The yaml package's 1.1 tags with PyYAML's scalars, Ansible's `!unsafe`, and `!!binary` refused. */
export function ansibleTags(defaults: Tags): Tags {
  return [
    ...defaults.filter((t) => typeof t === 'string' || !REPLACED.includes(t.tag)),
    scalar(
      'null',
      NULL,
      () => null,
      (v) => v === null,
    ),
    scalar(
      'bool',
      TRUE,
      () => true,
      (v) => v === true,
    ),
    scalar(
      'bool',
      FALSE,
      () => false,
      (v) => v === false,
    ),
    scalar('int', INT, pyInt, (v) => Number.isInteger(v)),
    scalar('float', FLOAT, pyFloat, (v) => v instanceof PyFloat),
    scalar('timestamp', IMPLICIT_TIMESTAMP, pyTimestamp, () => false),
    { tag: 'tag:yaml.org,2002:timestamp', resolve: pyTimestamp } as ScalarTag,
    {
      tag: 'tag:yaml.org,2002:binary',
      resolve: () => {
        throw new Error('!!binary values are not supported (ansible-inventory cannot print them either)');
      },
    } as ScalarTag,
    { tag: '!unsafe', resolve: (s: string) => new Unsafe(s) } as ScalarTag,
    unsafeCollection('map'),
    unsafeCollection('seq'),
  ];
}
