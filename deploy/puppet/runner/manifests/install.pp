# @summary The runner package: from an apt repository, or a .deb file with the dpkg provider.
# @api private
class runner::install {
  if $runner::install == 'package' {
    $provider = $runner::package_provider ? {
      undef   => $runner::package_source ? { undef => undef, default => 'dpkg' },
      default => $runner::package_provider,
    }
    package { $runner::package_name:
      ensure   => $runner::package_ensure,
      source   => $runner::package_source,
      provider => $provider,
    }
  }
}
