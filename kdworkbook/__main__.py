import sys

from kdworkbook.cli import main

sys.exit(main())
