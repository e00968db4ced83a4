#!/usr/bin/perl
# META.json against the PGXN Meta Spec 1.0.0 (https://pgxn.org/meta/spec.txt),
# and against the tree it describes.
#
#   perl test/package/meta.pl [--tree DIR] META.json
#
# Checks every key the spec defines (required keys, types, Terms, Tags,
# SemVer versions, version ranges, licenses, paths, URIs; only x_ keys
# beside them), then with --tree that the files it names exist in DIR and
# that its version is the one customers.control and the Makefile install.
# Then it checks itself: each of a list of one-key mutations of the document
# must be refused. Prints TAP; exits non-zero on any failure.
use strict;
use warnings;

use B;
use JSON::PP;
use Test::More;

my $tree;
if (@ARGV >= 2 && $ARGV[0] eq '--tree')
{
	(undef, $tree) = splice(@ARGV, 0, 2);
}
my $file = shift @ARGV or die "usage: $0 [--tree DIR] META.json\n";

# SemVer 2.0.0: three numbers without leading zeros, an optional
# pre-release and build suffix
my $num = qr/(?:0|[1-9][0-9]*)/;
my $pre_id = qr/(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)/;
my $build_id = qr/[0-9A-Za-z-]+/;
my $semver = qr/$num\.$num\.$num(?:-$pre_id(?:\.$pre_id)*)?(?:\+$build_id(?:\.$build_id)*)?/;
my $range_one = qr/(?:(?:[=!]=|[<>]=?)\s*)?$semver/;

my %licenses = map { $_ => 1 } qw(agpl_3 apache_1_1 apache_2_0 artistic_1
  artistic_2 bsd freebsd gfdl_1_2 gfdl_1_3 gpl_1 gpl_2 gpl_3 lgpl_2_1 lgpl_3_0
  mit mozilla_1_0 mozilla_1_1 openssl perl_5 postgresql qpl_1_0 ssleay sun
  zlib open_source restricted unrestricted unknown);

# Every problem of one document, as "path: what"
sub problems
{
	my ($meta) = @_;
	my @p;
	my $bad = sub { push @p, "$_[0]: $_[1]" };

	# a JSON string: numbers decode without the string flag, booleans as refs
	my $is_str = sub { defined $_[0] && !ref $_[0] && (B::svref_2object(\$_[0])->FLAGS & B::SVf_POK) };
	my $is_obj = sub { ref $_[0] eq 'HASH' };
	my $is_arr = sub { ref $_[0] eq 'ARRAY' };
	my $custom = sub { $_[0] =~ /^[xX]_./ };

	my $string = sub {    # non-empty string
		my ($path, $v) = @_;
		$is_str->($v) && length $v ? 1 : ($bad->($path, 'must be a non-empty string'), 0);
	};
	my $term = sub {
		my ($path, $v) = @_;
		$bad->($path, 'must be a Term (2 or more characters, no slash, backslash, space or control character)')
		  unless $is_str->($v) && $v =~ /^[^\/\\\s\p{Cc}]{2,}$/;
	};
	my $version = sub {
		my ($path, $v) = @_;
		$bad->($path, 'must be a SemVer version such as "1.2.3"')
		  unless $is_str->($v) && $v =~ /^$semver$/;
	};
	my $uri = sub {
		my ($path, $v) = @_;
		$bad->($path, 'must be a URI') unless $is_str->($v) && $v =~ /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/;
	};
	my $email = sub {
		my ($path, $v) = @_;
		$bad->($path, 'must be an email address') unless $is_str->($v) && $v =~ /^[^@\s]+@[^@\s]+$/;
	};
	my $pathval = sub {    # a relative path in Unix conventions
		my ($path, $v) = @_;
		$bad->($path, 'must be a relative Unix path of 2 or more characters')
		  unless $is_str->($v)
		  && length $v >= 2
		  && $v !~ m{^/}
		  && $v !~ /\\/
		  && !grep { $_ eq '..' } split m{/}, $v;
	};
	# an object of known keys (key => checker) and x_ keys
	my $object = sub {
		my ($path, $v, $known, $required, $nonempty) = @_;
		unless ($is_obj->($v))
		{
			$bad->($path, 'must be an object');
			return 0;
		}
		$bad->($path, 'must not be empty') if $nonempty && !%$v;
		for my $k (@$required)
		{
			$bad->($path, "required key \"$k\" is missing") unless exists $v->{$k};
		}
		for my $k (sort keys %$v)
		{
			my $sub = $path eq '' ? $k : "$path.$k";
			if ($known->{$k}) { $known->{$k}->($sub, $v->{$k}) }
			elsif (!$custom->($k)) { $bad->($sub, 'is not a key of the spec (custom keys start with "x_")') }
		}
		return 1;
	};

	my $license_name = sub {
		my ($path, $v) = @_;
		$bad->($path, 'must be one of the spec\'s license names') unless $is_str->($v) && $licenses{$v};
	};
	my $license = sub {
		my ($path, $v) = @_;
		if ($is_arr->($v))
		{
			$bad->($path, 'must not be empty') unless @$v;
			$license_name->("$path\[$_]", $v->[$_]) for 0 .. $#$v;
		}
		elsif ($is_obj->($v))
		{
			$bad->($path, 'must not be empty') unless %$v;
			$uri->("$path.$_", $v->{$_}) for sort keys %$v;
		}
		else { $license_name->($path, $v) }
	};
	my $maintainer = sub {
		my ($path, $v) = @_;
		if ($is_arr->($v))
		{
			$bad->($path, 'must not be empty') unless @$v;
			$string->("$path\[$_]", $v->[$_]) for 0 .. $#$v;
		}
		else { $string->($path, $v) }
	};
	my $provides = sub {
		my ($path, $v) = @_;
		return $bad->($path, 'must be an object') unless $is_obj->($v);
		my @names = grep { !$custom->($_) } sort keys %$v;
		$bad->($path, 'must name at least one extension') unless @names;
		for my $name (@names)
		{
			$term->("$path.$name (the name)", $name);
			$object->(
				"$path.$name", $v->{$name},
				{
					file => $pathval,
					docfile => $pathval,
					version => $version,
					abstract => $string,
					docpath => $string
				},
				[qw(file version)]);
		}
	};
	my $meta_spec = sub {
		my ($path, $v) = @_;
		$object->(
			$path, $v,
			{
				version => sub {
					$bad->($_[0], 'must be "1.0.x"') unless $is_str->($_[1]) && $_[1] =~ /^1\.0\.[0-9]+$/;
				},
				url => sub {
					$bad->($_[0], 'must be https://pgxn.org/meta/spec.txt')
					  unless $is_str->($_[1]) && $_[1] =~ m{^https?://pgxn\.org/meta/spec\.txt$};
				}
			},
			['version']);
	};
	my $tags = sub {
		my ($path, $v) = @_;
		unless ($is_arr->($v) && @$v)
		{
			$bad->($path, 'must be a non-empty array');
			return;
		}
		for my $i (0 .. $#$v)
		{
			$bad->("$path\[$i]", 'must be a Tag (2 to 255 characters, no slash, backslash or control character)')
			  unless $is_str->($v->[$i]) && $v->[$i] =~ /^[^\/\\\p{Cc}]{2,255}$/;
		}
	};
	my $file_list = sub {
		my ($path, $v) = @_;
		if ($is_arr->($v))
		{
			$bad->($path, 'must not be empty') unless @$v;
			my %seen;
			for my $i (0 .. $#$v)
			{
				$pathval->("$path\[$i]", $v->[$i]);
				$bad->("$path\[$i]", 'is listed twice') if $is_str->($v->[$i]) && $seen{ $v->[$i] }++;
			}
		}
		else { $pathval->($path, $v) }
	};
	my $no_index = sub {
		my ($path, $v) = @_;
		$object->($path, $v, { file => $file_list, directory => $file_list }, [])
		  && !exists $v->{file}
		  && !exists $v->{directory}
		  && $bad->($path, 'must have "file" or "directory"');
	};
	my $range = sub {
		my ($path, $v) = @_;
		return if defined $v && !ref $v && $v =~ /^0$/;    # 0 or "0": any version
		$bad->($path, 'must be 0 or a version range such as ">= 1.2.0, < 2.0.0"')
		  unless $is_str->($v) && $v =~ /^$range_one(?:,\s*$range_one)*$/;
	};
	my $relationship = sub {
		my ($path, $v) = @_;
		return $bad->($path, 'must be a non-empty object') unless $is_obj->($v) && %$v;
		for my $name (sort keys %$v)
		{
			$term->("$path.$name (the name)", $name);
			$range->("$path.$name", $v->{$name});
		}
	};
	my $phase = sub {
		my ($path, $v) = @_;
		$object->($path, $v, { map { $_ => $relationship } qw(requires recommends suggests conflicts) }, [], 1);
	};
	my $prereqs = sub {
		my ($path, $v) = @_;
		$object->($path, $v, { map { $_ => $phase } qw(configure build test runtime develop) }, [], 1);
	};
	my $resources = sub {
		my ($path, $v) = @_;
		$object->(
			$path, $v,
			{
				homepage => $uri,
				bugtracker => sub {
					my ($p, $b) = @_;
					$object->($p, $b, { web => $uri, mailto => $email }, [])
					  && !exists $b->{web}
					  && !exists $b->{mailto}
					  && $bad->($p, 'must have "web" or "mailto"');
				},
				repository => sub {
					my ($p, $r) = @_;
					$object->($p, $r, { url => $uri, web => $uri, type => $string }, [])
					  && !exists $r->{web}
					  && !(exists $r->{url} && exists $r->{type})
					  && $bad->($p, 'must have "web", or "url" and "type"');
				}
			},
			[], 1);
	};
	my $release_status = sub {
		$bad->($_[0], 'must be "stable", "testing" or "unstable"')
		  unless $is_str->($_[1]) && $_[1] =~ /^(?:stable|testing|unstable)$/;
	};

	$object->(
		'', $meta,
		{
			name => $term,
			version => $version,
			abstract => $string,
			maintainer => $maintainer,
			license => $license,
			provides => $provides,
			'meta-spec' => $meta_spec,
			description => $string,
			generated_by => $string,
			tags => $tags,
			no_index => $no_index,
			prereqs => $prereqs,
			release_status => $release_status,
			resources => $resources
		},
		[qw(name version abstract maintainer license provides meta-spec)])
	  or push @p, '(document): must be a JSON object';
	return @p;
}

my $json = JSON::PP->new->utf8;
my $text = do { local $/; open my $fh, '<', $file or die "$file: $!\n"; <$fh> };
my $meta = eval { $json->decode($text) };
ok(defined $meta, "$file is JSON") or diag($@);
$meta //= {};

my @p = problems($meta);
ok(!@p, "$file follows the PGXN Meta Spec 1.0.0") or diag(join "\n", @p);

if (defined $tree)
{
	for my $ext (sort grep { !/^[xX]_/ } keys %{ $meta->{provides} || {} })
	{
		for my $key (qw(file docfile))
		{
			my $f = $meta->{provides}{$ext}{$key} // next;
			ok(-f "$tree/$f", "provides.$ext.$key $f is in the tree");
		}
	}
	my $control = do { local $/; open my $fh, '<', "$tree/customers.control" or die $!; <$fh> };
	my $makefile = do { local $/; open my $fh, '<', "$tree/Makefile" or die $!; <$fh> };
	my ($default) = $control =~ /^default_version\s*=\s*'([^']*)'/m;
	my ($extversion) = $makefile =~ /^EXTVERSION\s*=\s*(\S+)/m;
	is($meta->{version} // '', $default // '', 'version is customers.control\'s default_version');
	is($meta->{version} // '', $extversion // '', 'version is the Makefile\'s EXTVERSION');
	is($meta->{provides}{customers}{version} // '', $default // '', 'provides.customers.version too');
}

# The checker refuses each of these changes to a valid document
my @mutations = (
	['no name' => sub { delete $_[0]{name} }],
	['a one-character name' => sub { $_[0]{name} = 'c' }],
	['a name with a slash' => sub { $_[0]{name} = 'cus/tomers' }],
	['version "0.2"' => sub { $_[0]{version} = '0.2' }],
	['version "01.2.0"' => sub { $_[0]{version} = '01.2.0' }],
	['a number as abstract' => sub { $_[0]{abstract} = 42 }],
	['an empty abstract' => sub { $_[0]{abstract} = '' }],
	['no maintainer' => sub { delete $_[0]{maintainer} }],
	['an empty maintainer list' => sub { $_[0]{maintainer} = [] }],
	['license "GPL"' => sub { $_[0]{license} = 'GPL' }],
	['a license object with a non-URI' => sub { $_[0]{license} = { PostgreSQL => 'the usual one' } }],
	['empty provides' => sub { $_[0]{provides} = {} }],
	['a provided extension without file' => sub { delete $_[0]{provides}{customers}{file} }],
	['a provided extension without version' => sub { delete $_[0]{provides}{customers}{version} }],
	['an unknown key in a provided extension' => sub { $_[0]{provides}{customers}{schema} = 'customers' }],
	['an absolute file path' => sub { $_[0]{provides}{customers}{file} = '/sql/customers.sql' }],
	['no meta-spec' => sub { delete $_[0]{'meta-spec'} }],
	['meta-spec version 2.0.0' => sub { $_[0]{'meta-spec'}{version} = '2.0.0' }],
	['an unknown top-level key' => sub { $_[0]{homepage} = 'https://example.com/' }],
	['a one-character tag' => sub { $_[0]{tags} = ['x'] }],
	['release_status "beta"' => sub { $_[0]{release_status} = 'beta' }],
	['prereq version "15"' => sub { $_[0]{prereqs} = { runtime => { requires => { PostgreSQL => '15' } } } }],
	['an unknown prereq phase' => sub { $_[0]{prereqs} = { install => { requires => { PostgreSQL => 0 } } } }],
	['an unknown prereq relationship' => sub { $_[0]{prereqs} = { runtime => { needs => { PostgreSQL => 0 } } } }],
	['a repository without url type or web' => sub { $_[0]{resources} = { repository => { url => 'https://x.example/r.git' } } }],
	['no_index without file or directory' => sub { $_[0]{no_index} = {} }],
);
for my $m (@mutations)
{
	my ($what, $change) = @$m;
	my $copy = $json->decode($json->encode($meta));
	$change->($copy);
	ok(scalar problems($copy), "the checker refuses $what");
}
ok(!problems($json->decode($json->encode($meta))), 'and accepts the document again (the mutations were copies)');

done_testing();
