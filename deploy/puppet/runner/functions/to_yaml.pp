# Data as indented JSON, which is YAML: Puppet 7 has no to_yaml without stdlib, and JSON's quoting is exact.
function runner::to_yaml(Data $value, String $where = 'config', String $indent = '') >> String {
  $inner = "${indent}  "
  $value ? {
    Undef   => 'null',
    String  => runner::quote($value, $where),
    Numeric => String($value, '%p'),
    Boolean => String($value),
    Array   => $value.empty ? {
      true    => '[]',
      default => join([
        "[\n",
        $value.map |$i, $v| { "${inner}${runner::to_yaml($v, "${where}[${i}]", $inner)}" }.join(",\n"),
        "\n${indent}]",
      ]),
    },
    Hash    => $value.empty ? {
      true    => '{}',
      default => join([
        "{\n",
        $value.map |$k, $v| {
          "${inner}${runner::quote($k, $where)}: ${runner::to_yaml($v, "${where}.${k}", $inner)}"
        }.join(",\n"),
        "\n${indent}}",
      ]),
    },
  }
}
