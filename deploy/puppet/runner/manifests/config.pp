# @summary runner.yaml from the config hash, replaced only once `runner config validate` accepts the new text;
#   and the state dir, root's alone.
# @api private
class runner::config {
  $config = $runner::config
  $lifecycle = $config['lifecycle']
  if $lifecycle =~ Hash and $lifecycle['state_dir'] =~ NotUndef and $lifecycle['state_dir'] != $runner::state_dir {
    fail("runner: config lifecycle.state_dir (${lifecycle['state_dir']}) is not state_dir (${runner::state_dir}): set state_dir only")
  }
  $rendered = $lifecycle ? {
    Hash    => $config + { 'lifecycle' => $lifecycle + { 'state_dir' => $runner::state_dir } },
    default => $config,
  }

  file { $runner::config_file.regsubst(/\/[^\/]+\z/, ''):
    ensure => directory,
  }
  file { $runner::config_file:
    ensure       => file,
    owner        => 'root',
    group        => 'root',
    mode         => '0644',
    content      => "# managed by puppet (class runner): change the hash, not this file\n${runner::to_yaml($rendered)}\n",
    validate_cmd => "${runner::binary} config validate --config %",
  }
  file { $runner::state_dir:
    ensure => directory,
    owner  => 'root',
    group  => 'root',
    mode   => '0700',
  }
}
