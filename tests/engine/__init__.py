# Copyright (c) seavis_mm contributors. All rights reserved.
