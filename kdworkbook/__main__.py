import sys

from kdworkbook.cli import entry

sys.exit(entry())
