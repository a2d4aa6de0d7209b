#include <gdal.h>
#include "ui-window.h"
