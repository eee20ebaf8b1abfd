# A YAML (and JSON) double-quoted scalar: backslash, quote, tab, newline and CR escaped, other controls refused.
function runner::quote(String $text, String $where) >> String {
  if $text =~ /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/ {
    fail("runner: ${where}: a string with a control character other than tab, newline or CR: ${String($text, '%p')}")
  }
  $escaped = $text.regsubst(/\\/, '\\\\\\\\', 'G').regsubst(/"/, '\\"', 'G')
    .regsubst(/\n/, '\\n', 'G').regsubst(/\t/, '\\t', 'G').regsubst(/\r/, '\\r', 'G')
  "\"${escaped}\""
}
